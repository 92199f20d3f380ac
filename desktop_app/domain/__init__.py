"""Plain data and rules of Welcome Desk's world. No Qt, no SQL, no I/O."""
