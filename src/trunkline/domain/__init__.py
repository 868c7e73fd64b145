"""The domain: AWS behaviour in plain Python over the store interface. It never imports the wire
layer, an HTTP library or a database driver."""
