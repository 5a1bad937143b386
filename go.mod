module github.com/goasyncio/asyncio

go 1.25.0

require (
	go.uber.org/goleak v1.3.0
	periph.io/x/conn/v3 v3.7.3
	periph.io/x/host/v3 v3.8.5
	pgregory.net/rapid v1.3.0
)

require github.com/jonboulle/clockwork v0.5.0 // indirect
