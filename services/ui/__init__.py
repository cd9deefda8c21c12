"""Streamlit helpers: the only modules besides app.py and pages/ that import streamlit."""
