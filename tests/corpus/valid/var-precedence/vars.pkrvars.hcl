file_wins = "file"
cli_wins  = "file"
