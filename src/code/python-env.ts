// The sandbox's Python: which interpreter, and the settings it runs with (the generic sandbox command sets none).
export const PYTHON = process.env['R1_PYTHON'] ?? '/usr/bin/python3';

export const PYTHON_ENV = { PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' };
