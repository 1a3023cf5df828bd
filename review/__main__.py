"""`python -m review` runs the command-line interface."""

from review.cli import main

if __name__ == "__main__":
    main()
