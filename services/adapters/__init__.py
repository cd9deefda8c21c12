"""Adapters implement the ports in services/ports.py; they know nothing of Streamlit."""
