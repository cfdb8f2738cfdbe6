from faultmaven.http.app import create_app
from functions.portability.routes import router

app = create_app("FaultMaven data export and import", [router])
