from faultmaven.http.app import create_app
from functions.copilot.routes import router

app = create_app("FaultMaven copilot", [router])
