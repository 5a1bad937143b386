package stream

// soReusePort is SO_REUSEPORT.
const soReusePort = 0xf
