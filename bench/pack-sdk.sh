# Sourced by the bench scripts: packs Cog.Sdk from this repository into "$work/feed" under a version no earlier run
# used, writes "$work/NuGet.config" that sees only that feed, and keeps the packages in "$work/packages".
# Needs $repo and $work; sets $version.
version="0.1.0-bench.$(date +%s)"
dotnet build "$repo/src/Cog.Sdk" -c Release -nologo -v:q >/dev/null
dotnet pack "$repo/src/Cog.Sdk" -c Release --no-build -o "$work/feed" -p:Version="$version" -nologo -v:q >/dev/null
cat >"$work/NuGet.config" <<XML
<configuration><packageSources><clear /><add key="feed" value="$work/feed" /></packageSources></configuration>
XML
export NUGET_PACKAGES="$work/packages"
