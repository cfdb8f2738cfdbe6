from faultmaven.http.app import create_app
from functions.auth.routes import router
from functions.auth.sso import router as sso_router

app = create_app("FaultMaven auth", [router, sso_router])
