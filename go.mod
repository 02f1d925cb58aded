module github.com/curate-dev/curate

go 1.26.8

require (
	github.com/klauspost/compress v1.20.4
	github.com/pemistahl/lingua-go v1.4.0
	github.com/ulikunitz/xz v0.5.17
	golang.org/x/text v0.44.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/shopspring/decimal v1.6.0 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/exp v0.0.0-20260112195511-716be5621a96 // indirect
)
