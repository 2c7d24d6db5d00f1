module measures-go

go 1.27

require horde.local/horde v0.1.0

replace horde.local/horde => ../../../sdk/go
