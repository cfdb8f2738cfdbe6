from faultmaven.http.lambda_handler import make_handler
from functions.teams.app import app

handler = make_handler(app, "teams")
