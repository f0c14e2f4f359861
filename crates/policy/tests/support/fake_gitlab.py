"""A small stand-in for the GitLab REST API on 127.0.0.1, enough for the
tools of @modelcontextprotocol/server-gitlab. Prints its port, then serves
until killed. Written for the export tests."""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOW = "2026-01-01T00:00:00Z"
USER = {"username": "me", "id": 1, "name": "Me", "avatar_url": "", "web_url": "http://gl/me", "state": "active"}
REPO = {"id": 7, "name": "demo", "path_with_namespace": "me/demo", "visibility": "private", "owner": USER,
        "web_url": "http://gl/me/demo", "description": None, "ssh_url_to_repo": "git@gl:me/demo.git",
        "http_url_to_repo": "http://gl/me/demo.git", "created_at": NOW, "last_activity_at": NOW, "default_branch": "main"}
FILE = {"file_name": "README.md", "file_path": "README.md", "size": 5, "encoding": "base64", "content": "aGVsbG8=",
        "content_sha256": "x", "ref": "main", "blob_id": "b1", "last_commit_id": "c1"}
COMMIT = {"id": "c2", "short_id": "c2", "title": "t", "author_name": "Me", "author_email": "me@x", "authored_date": NOW,
          "committer_name": "Me", "committer_email": "me@x", "committed_date": NOW, "web_url": "http://gl/c2", "parent_ids": ["c1"]}
ISSUE = {"id": 3, "iid": 1, "project_id": 7, "title": "t", "description": "", "state": "opened", "author": USER,
         "assignees": [], "labels": [], "milestone": None, "created_at": NOW, "updated_at": NOW, "closed_at": None,
         "web_url": "http://gl/me/demo/-/issues/1"}
MR = {"id": 4, "iid": 1, "project_id": 7, "title": "t", "description": "", "state": "opened", "author": USER,
      "assignees": [], "source_branch": "f", "target_branch": "main", "diff_refs": None, "web_url": "http://gl/mr/1",
      "created_at": NOW, "updated_at": NOW, "merged_at": None, "closed_at": None, "merge_commit_sha": None}
FORK = dict(REPO, forked_from_project={"name": "demo", "path_with_namespace": "up/demo",
                                       "owner": {"username": "up", "id": 2, "avatar_url": ""}, "web_url": "http://gl/up/demo"})

ROUTES = [
    ("GET", r"/projects$", [REPO]),
    ("POST", r"/projects$", REPO),
    ("POST", r"/projects/[^/]+/fork$", FORK),
    ("POST", r"/projects/[^/]+/repository/branches$", {"name": "f", "commit": {"id": "c1", "web_url": "http://gl/c1"}}),
    ("GET", r"/projects/[^/]+/repository/files/[^/]+$", FILE),
    ("POST", r"/projects/[^/]+/repository/files/[^/]+$", {"file_path": "README.md", "branch": "main", "commit_id": "c2"}),
    ("PUT", r"/projects/[^/]+/repository/files/[^/]+$", {"file_path": "README.md", "branch": "main", "commit_id": "c2"}),
    ("POST", r"/projects/[^/]+/repository/commits$", COMMIT),
    ("POST", r"/projects/[^/]+/issues$", ISSUE),
    ("POST", r"/projects/[^/]+/merge_requests$", MR),
]


class Api(BaseHTTPRequestHandler):
    def answer(self):
        path = self.path.split("?")[0]
        if not path.startswith("/api/v4"):
            return self.send(404, {"message": "not found"})
        if self.headers.get("Authorization") != "Bearer glpat-test":
            return self.send(401, {"message": "401 Unauthorized"})
        if self.headers.get("Content-Length"):
            self.rfile.read(int(self.headers["Content-Length"]))
        for method, pattern, body in ROUTES:
            if method == self.command and re.search(pattern, path[len("/api/v4"):]):
                return self.send(200, body)
        return self.send(404, {"message": "no route"})

    def send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Total", "1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = answer

    def log_message(self, *a):
        pass


if __name__ == "__main__":
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
