"""Streamlit entry point of the installed package (what `review app DIR` serves); see `router.main`."""

from review.webapp.router import main

main()
