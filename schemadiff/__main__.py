"""The ``schemadiff`` command (``python -m schemadiff``, and the installed script's entry)."""


def run() -> None:
    """Run the command line, the runtime's collector threshold set before anything else is
    imported: importing the command line builds thousands of objects, and the default
    threshold's passes over them cost ~10 ms of every run."""
    from schemadiff.runtime import tune_gc

    tune_gc()
    from schemadiff.cli import main

    main(prog_name="schemadiff")


if __name__ == "__main__":
    run()
