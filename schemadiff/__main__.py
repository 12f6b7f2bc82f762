from schemadiff.cli import main

main()
