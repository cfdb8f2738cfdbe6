from faultmaven.http.app import create_app
from functions.knowledge import drafts
from functions.knowledge.routes import router

app = create_app("FaultMaven knowledge", [router, drafts.router])
