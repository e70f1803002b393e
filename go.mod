module github.com/hedwigmail/hedwig

go 1.26.8

require (
	github.com/beevik/etree v1.8.1 // indirect
	github.com/magiconair/properties v1.18.12 // indirect
	go.uber.org/dig v1.19.0 // indirect
	go.uber.org/fx v1.24.0 // indirect
	go.uber.org/multierr v1.10.0 // indirect
	go.uber.org/zap v1.28.0 // indirect
	golang.org/x/sys v0.0.0-20220412211240-33da011f77ad // indirect
)
