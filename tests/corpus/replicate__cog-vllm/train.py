# Stand-in for train.py of the source repository (see tests/corpus/README.md): Cog.Sdk reads cog.yaml and
# the files it names, and the model's own code is not copied here.
class train:
    pass
