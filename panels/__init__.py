"""Dashboard panels that render what geo/ computes (they import streamlit; geo/ never does)."""
