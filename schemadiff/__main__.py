from schemadiff.cli import run

run()
