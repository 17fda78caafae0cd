'use strict';
// Builds a co-purchase matrix that no longer fits the heap it is given.
const matrix = [];
for (let i = 0; ; i++) matrix.push({ i, related: new Array(1000).fill(i) });
