.PHONY: test build demo fuzz

# The whole suite on SQLite and PostgreSQL (see scripts/test.sh).
test:
	bash scripts/test.sh

build:
	go build -o sidi ./cmd/sidi

demo:
	go run ./cmd/sidi demo

fuzz:
	go test ./internal/plan -run '^$$' -fuzz FuzzParse -fuzztime 60s
