"""Streamlit entry point of the reviewer's workspace, for a source checkout.

    streamlit run app.py                      # the demo project (built into ./demo-project/ on first start)
    streamlit run app.py -- --project DIR     # any project folder
    review app DIR                            # the same from the CLI (serves review/webapp/app.py)

The router and the pages live in `review/webapp/`.
"""

from pathlib import Path

from review.webapp.router import main

main(demo_dir=Path(__file__).resolve().parent / "demo-project")
