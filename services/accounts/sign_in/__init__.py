"""Signing in, one module per mode behind one interface (``base.SignInMode``): local accounts
(``local``), an Amazon Cognito user pool (``cognito``) and any OpenID Connect provider through
Streamlit's ``st.login`` (``oidc``). The composition root picks the mode; the UI only reads the
cookie from the request and writes the value a mode hands back."""
