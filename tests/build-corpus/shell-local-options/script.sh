#!/bin/sh
echo from script file
