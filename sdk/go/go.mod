module horde.local/horde

go 1.27
