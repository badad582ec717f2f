"""Building functions' packages, the same for a SAM template and a `serverless.yml`.

`overcast deploy` builds what `sam build` or the Serverless Framework's packaging would, without
Docker: a Python function's requirements installed with pip (`python.py`, cached by their hash),
a Node.js function's dependencies with npm (`node.py`) or its code bundled with esbuild
(`esbuild.py`, TypeScript always), a SAM `BuildMethod: makefile` run as `sam build` runs it
(`makefile.py`); `handlers.py` checks the handler a package names before anything is uploaded;
`zips.py` writes the deterministic zips. `function.py` picks the build for one function.

Every failure a user can act on is a `BuildError` (`errors.py`): one line naming the file at
fault, with a failed tool's last lines of output.
"""
