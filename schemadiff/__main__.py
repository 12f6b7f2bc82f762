from schemadiff.cli import main

main(prog_name="schemadiff")
