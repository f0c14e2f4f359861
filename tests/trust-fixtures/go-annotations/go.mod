module github.com/example/goannotations

go 1.22

require github.com/mark3labs/mcp-go v0.26.0
