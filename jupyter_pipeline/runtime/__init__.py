"""What generated stages import at run time. Small, stable, standard library only (pandas, numpy
and pyarrow are used when the values need them), so any kernel with nb2pipe installed runs them."""
