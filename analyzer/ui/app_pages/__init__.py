"""The app's page files.

Each runs one page module's render(), so st.navigation (and AppTest.switch_page) can open it by path.
"""
