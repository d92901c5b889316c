"""The floor of a page load: a bare Streamlit page with one title (bench/pageload.py)."""
import streamlit as st

st.title("Bare page")
