"""Django-free helpers of the shell (postcodes, ...): plain Python, typed, tested on their own."""
