// newsroom progressive enhancement. The site works without this file; it only makes it smoother.
"use strict";
