from faultmaven.http.app import create_app
from functions.teams.routes import router

app = create_app("FaultMaven teams", [router])
