from faultmaven.http.app import create_app
from functions.integrations.routes import router

app = create_app("FaultMaven integrations", [router])
