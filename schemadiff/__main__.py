from schemadiff.entry import run

run()
