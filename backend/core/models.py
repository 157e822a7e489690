# core has no models of its own. This module exists so that Django sends core the post_migrate
# signal, on which the cache table is created (see CoreConfig.ready).
