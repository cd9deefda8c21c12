"""Demo Factory services: use cases, ports, adapters. Streamlit only in services/ui."""
