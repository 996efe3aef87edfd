"""A class that subclasses nothing and has no setup()."""


class Runner:
    def run(self, text: str, times: int = 1) -> str:
        return " ".join(["hello " + text] * times)
