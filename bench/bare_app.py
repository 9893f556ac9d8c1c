"""The baseline's server: a bare Strawberry mutation on uvicorn, nothing else.

python bench/bare_app.py PORT
"""

import sys

import strawberry
import uvicorn
from strawberry.asgi import GraphQL


@strawberry.type
class Query:
    ping: str = "pong"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_todo(self, title: str) -> str:
        return title


app = GraphQL(strawberry.Schema(query=Query, mutation=Mutation))

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
