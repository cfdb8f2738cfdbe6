from faultmaven.http.app import create_app
from functions.auth.routes import router

app = create_app("FaultMaven auth", [router])
