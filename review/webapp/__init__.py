"""The Streamlit reviewer's workspace: session state, sidebar and one module per page.

`app.py` at the repository root is the router; every page only calls `review.*`
library functions, so what a page shows can also be had from the CLI.
"""
