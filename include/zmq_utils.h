/*  zmq_utils.h: kept for source compatibility with old programs.

    Everything it used to declare (stopwatch, sleep, threads) is declared by
    zmq.h; as in libzmq 4.3, this header declares nothing and only says so
    (a compiler note, never a warning, so -Werror builds keep working).
*/

#if defined(__clang__) || defined(__GNUC__) || defined(_MSC_VER)
#pragma message(                                                               \
  "Warning: zmq_utils.h is deprecated. All its functionality is provided by zmq.h.")
#endif
