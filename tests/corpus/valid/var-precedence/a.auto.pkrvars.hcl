auto_wins = "auto-a"
file_wins = "auto-a"
cli_wins  = "auto-a"
