"""(being written: see the issue it belongs to)"""
