from faultmaven.http.app import create_app
from functions.meta.routes import router

app = create_app("FaultMaven meta", [router])
