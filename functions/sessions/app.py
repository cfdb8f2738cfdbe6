from faultmaven.http.app import create_app
from functions.sessions.routes import router

app = create_app("FaultMaven sessions", [router])
