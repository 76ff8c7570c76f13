from xlgrade.cli import main

raise SystemExit(main())
