from faultmaven.http.app import create_app
from functions.cases.routes import router

app = create_app("FaultMaven cases", [router])
