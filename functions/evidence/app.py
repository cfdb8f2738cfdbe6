from faultmaven.http.app import create_app
from functions.evidence.routes import router

app = create_app("FaultMaven evidence", [router])
